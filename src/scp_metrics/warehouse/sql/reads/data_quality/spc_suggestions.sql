-- The home area's suggested SPC recalculation points (sustained shifts nobody has confirmed as
-- a break in config/series_breaks.toml), one per series and month.
select indicator_id, area_code, period_start, suggested_recalculation
from mart_spc
where area_code = $home_area and suggested_recalculation is not null
order by indicator_id, period_start
