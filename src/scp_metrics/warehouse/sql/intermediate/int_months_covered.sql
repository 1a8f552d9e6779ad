-- The months each home-area event source covers: every month of every quarter file loaded
-- (a month with no events in a loaded quarter is a true zero, not missing data).
with quarters as (
    select distinct 'istv' as source_name, area_code, file_quarter_start as quarter_start from stg_istv
    union all
    select distinct 'fire', area_code, file_quarter_start from stg_fire
    union all
    select distinct 'marac', area_code, file_quarter_start from stg_marac
    union all
    select distinct 'police_crime', area_code, file_quarter_start from stg_police_crime
)

select
    quarters.source_name,
    quarters.area_code,
    (quarters.quarter_start + to_months(o.k))::date as unit_start,
    last_day(quarters.quarter_start + to_months(o.k)) as unit_end
from quarters
cross join (select unnest([0, 1, 2]) as k) as o
