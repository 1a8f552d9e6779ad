-- What a chart of one indicator says about it: title, unit, polarity and measure.
with indicators as (
    select indicator_id, title, unit, polarity, measure from ref_indicators
)

select title, unit, polarity, measure from indicators
where indicator_id = $indicator_id
