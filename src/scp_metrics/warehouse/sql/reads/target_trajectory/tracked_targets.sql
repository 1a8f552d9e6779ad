-- The targets judged on a projected year to date (level and year-on-year targets with a
-- projection), with the year, the milestone and the unit they are judged in. The partner-return
-- KPIs' targets (projected from quarterly returns: method partner_hours, partner_trend) have no
-- monthly year to date and are left out.
select target_id, indicator_id, area_code, as_of, assessed_period, milestone_value, unit
from mart_target_tracking
where kind in ('level', 'year_on_year') and projected_year_end is not null
  and coalesce(method, '') not like 'partner\_%' escape '\'
order by target_id
