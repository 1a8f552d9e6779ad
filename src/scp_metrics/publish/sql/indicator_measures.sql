-- Each indicator's measure (rate, count, percentage): the value of a count indicator is a count.
with indicators as (
    select indicator_id, measure from ref_indicators
)

select indicator_id, measure from indicators
order by indicator_id
