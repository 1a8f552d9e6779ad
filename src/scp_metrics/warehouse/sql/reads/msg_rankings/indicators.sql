-- What ranking needs to know of each indicator.
select indicator_id, measure, multiplier, polarity, unit from ref_indicators order by indicator_id
