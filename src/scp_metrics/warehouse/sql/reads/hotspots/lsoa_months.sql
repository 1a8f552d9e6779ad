-- The home area's police.uk rows per LSOA, month and crime type (mart_hotspot_lsoas and
-- mart_hotspot_summary): stg_police_uk places each row in a local authority by its LSOA name;
-- only the months the area's own force's file is loaded (int_police_uk_coverage: as the
-- indicators count them); rows without an LSOA are not counted (mart_unplaced_rows).
with covered as (
    select distinct month_start from int_police_uk_coverage where area_code = $home
),

home_rows as (
    select * from stg_police_uk
    where area_code = $home and lsoa_code is not null
      and month_start in (select month_start from covered)
),

types as (
    select crime_type, slug, in_all_crime from ref_police_uk_crime_types
)

select
    r.lsoa_code,
    min(r.lsoa_name) as lsoa_name,
    r.month_start,
    r.crime_type,
    t.slug,
    coalesce(t.in_all_crime, false) as in_all_crime,
    count(*) as rows
from home_rows as r
left join types as t on t.crime_type = r.crime_type
group by r.lsoa_code, r.month_start, r.crime_type, t.slug, t.in_all_crime
order by r.lsoa_code, r.month_start, r.crime_type
