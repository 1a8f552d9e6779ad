-- data.police.uk street-level rows, each placed in a local authority (or not, with a reason).
-- The authority is the LSOA name without its trailing ' NNNX' ('Southampton 023C' ->
-- 'Southampton'): config/lsoa_prefix_lookup.csv maps the names that differ from ONS (Bristol,
-- Kingston upon Hull, areas merged into BCP / Dorset / Buckinghamshire / ...); any other name
-- must equal an ONS local-authority name in the loaded population workbook (codes E06-E09,
-- W06, S12, N09). Rows are never de-duplicated (ASB rows repeat exactly).
with source as (
    select * from raw_police_uk_street
),

ons_names as (
    -- local-authority names in the population workbook; a name used by two codes is ambiguous
    select name_key, min(area_code) as area_code
    from (
        select distinct lower(trim(name)) as name_key, code as area_code
        from raw_population
        where regexp_matches(code, '^(E0[6-9]|W06|S12|N09)')
    )
    group by name_key
    having count(*) = 1
),

lookup as (
    select lower(trim(lsoa_prefix)) as prefix_key, area_code from ref_lsoa_prefix_lookup
),

names as (
    -- one placement per distinct LSOA name (about 9,000), joined back to the rows
    select
        lsoa_name,
        trim(regexp_replace(lsoa_name, '\s+[0-9]{3}[A-Z]$', '')) as lsoa_prefix
    from (select distinct lsoa_name from source where lsoa_name is not null)
),

named as (
    select
        names.lsoa_name,
        names.lsoa_prefix,
        coalesce(lookup.area_code, ons_names.area_code) as placed_area_code,
        case when lookup.area_code is not null then 'lookup'
             when ons_names.area_code is not null then 'ons_name' end as matched_by
    from names
    left join lookup on lookup.prefix_key = lower(names.lsoa_prefix)
    left join ons_names on ons_names.name_key = lower(names.lsoa_prefix)
),

placed as (
    select source.*, named.lsoa_prefix, named.placed_area_code, named.matched_by
    from source
    left join named on named.lsoa_name = source.lsoa_name
)

select
    placed.falls_within,
    forces.pfa_code as force_pfa_code,
    placed.period_start as month_start,
    placed.crime_type,
    placed.crime_id,
    placed.lsoa_code,
    placed.lsoa_name,
    placed.lsoa_prefix,
    placed.placed_area_code as area_code,
    placed.matched_by,
    case when placed.lsoa_name is null then 'no_lsoa'
         when placed.placed_area_code is null then 'unknown_lsoa_prefix' end as unplaced_reason,
    placed.batch_id,
    placed.source_row
from placed
left join ref_police_forces as forces on forces.police_uk_name = placed.falls_within
