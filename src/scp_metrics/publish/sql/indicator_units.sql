-- Each indicator's unit (rate per 1,000, %, count, ...): the unit of its values in mart_spc.
with indicators as (
    select indicator_id, unit from ref_indicators
)

select indicator_id, unit from indicators
order by indicator_id
