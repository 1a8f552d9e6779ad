-- The area-months police.uk values are reported for: a local authority's month counts only
-- when its own police force's file for that month is loaded (config/police_force_areas.csv).
-- Rows geocoded into an authority whose force is not loaded are reported, not counted
-- (mart_unplaced_rows, reason 'area_not_covered').
with loaded as (
    select distinct falls_within, month_start from stg_police_uk
)

select distinct
    areas.area_code,
    forces.pfa_code,
    loaded.month_start
from loaded
inner join ref_police_forces as forces on forces.police_uk_name = loaded.falls_within
inner join ref_police_force_areas as areas on areas.pfa_code = forces.pfa_code
