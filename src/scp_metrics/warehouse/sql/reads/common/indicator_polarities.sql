-- Each indicator's polarity: which way is better (lower, higher or neutral).
select indicator_id, polarity from ref_indicators order by indicator_id
