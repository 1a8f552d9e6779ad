-- The smallest positive count (numerator or denominator) of each period type of each series, for
-- secondary suppression (publish/suppression.py: a series' period type with a small count).
with indicator_values as (
    select * from mart_indicator_values
),

positive as (
    select indicator_id, area_code, period_type, numerator as n from indicator_values
    where numerator > 0
    union all
    select indicator_id, area_code, period_type, denominator as n from indicator_values
    where denominator > 0
)

select indicator_id, area_code, period_type, min(n) as min_count
from positive
group by indicator_id, area_code, period_type
order by indicator_id, area_code, period_type
