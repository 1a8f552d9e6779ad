-- Each indicator's measure: rate, count or percentage.
select indicator_id, measure from ref_indicators order by indicator_id
