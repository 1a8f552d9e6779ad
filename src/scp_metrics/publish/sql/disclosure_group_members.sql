-- The members of each Most Similar Group ranking of the indicators whose source suppresses small
-- counts, with their counts, for secondary suppression of the group figures
-- (publish/suppression.py: withheld_groups).
select
    indicator_id, group_id, period_type, period_end, area_code, numerator, denominator
from mart_msg_rankings
where list_contains($indicator_ids, indicator_id)
    and period_type is not null
order by indicator_id, group_id, period_type, period_end, area_code
