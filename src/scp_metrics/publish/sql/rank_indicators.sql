-- Every indicator with what `scp-metrics rank` needs to rank it.
select indicator_id, title, measure, multiplier, polarity
from ref_indicators
order by indicator_id
