-- police.uk rows counted in no area, per file, force, month and reason (never dropped silently):
-- no_lsoa, unknown_lsoa_prefix, area_not_covered (its force's file for the month is not
-- loaded: int_police_uk_coverage) and unknown_force (not in config/police_forces.csv).
with placed as (
    select
        s.batch_id,
        s.falls_within,
        s.month_start,
        s.lsoa_prefix,
        case
            when s.force_pfa_code is null then 'unknown_force'
            when s.unplaced_reason is not null then s.unplaced_reason
            when cv.area_code is null then 'area_not_covered'
        end as reason
    from stg_police_uk as s
    left join int_police_uk_coverage as cv
        on cv.area_code = s.area_code and cv.month_start = s.month_start
),

files as (
    select batch_id, count(*) as file_rows from stg_police_uk group by batch_id
),

unplaced as (
    select
        b.file_name,
        p.batch_id,
        p.falls_within as police_force,
        p.month_start as month,
        p.reason,
        count(*) as rows,
        any_value(f.file_rows) as file_rows,
        100.0 * count(*) / any_value(f.file_rows) as share_pct,
        string_agg(distinct coalesce(p.lsoa_prefix, '(no LSOA)'), '; '
                   order by coalesce(p.lsoa_prefix, '(no LSOA)')) as lsoa_prefixes
    from placed as p
    inner join files as f on f.batch_id = p.batch_id
    left join load_batches as b on b.batch_id = p.batch_id
    where p.reason is not null
    group by all
)

select
    unplaced.*,
    case unplaced.reason
        when 'no_lsoa' then 'no LSOA: the row has no location, so it cannot be placed in an area'
        when 'unknown_lsoa_prefix' then 'the LSOA name''s local authority matches no ONS name '
            || 'in the loaded population workbook and is not in config/lsoa_prefix_lookup.csv'
        when 'area_not_covered' then 'placed in a local authority whose own police force''s '
            || 'file for this month is not loaded (config/police_force_areas.csv): counted nowhere'
        when 'unknown_force' then 'the file''s force (''Falls within'') is not in '
            || 'config/police_forces.csv'
    end as message
from unplaced
order by unplaced.police_force, unplaced.month, unplaced.reason
