-- The home area's values of the given indicators, every period type (mart_indicator_values),
-- with the counts they rest on (mart_kpi_status publishes them under the same disclosure rule).
select indicator_id, area_code, period_type, period_start, period_end, numerator, denominator,
       value, ci95_lower, ci95_upper, ci_method
from mart_indicator_values
where area_code = (select area_code from ref_home_area)
  and indicator_id in (select unnest($ids::varchar[]))
order by indicator_id, period_type, period_end
