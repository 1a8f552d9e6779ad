-- Offence counts in the finest periods available per area ("units"): months from the
-- record-level extract where it covers a quarter, otherwise quarters from the CSP table.
with record_level as (
    select
        area_code,
        month_start as unit_start,
        last_day(month_start) as unit_end,
        1 as months,
        offence_code,
        count(*) as offences
    from stg_police_crime
    group by all
),

record_level_quarters as (
    select distinct area_code, file_quarter_start as quarter_start from stg_police_crime
),

record_level_months as (
    select distinct area_code, unit_start, unit_end, months from record_level
    union
    -- a covered quarter with a month of no crimes still counts as a month of data
    select
        q.area_code,
        (q.quarter_start + to_months(o.k))::date,
        last_day(q.quarter_start + to_months(o.k)),
        1
    from record_level_quarters as q
    cross join (select unnest([0, 1, 2]) as k) as o
),

csp as (
    select
        area_code,
        quarter_start as unit_start,
        (quarter_start + interval 3 month - interval 1 day)::date as unit_end,
        3 as months,
        offence_code,
        sum(number_of_offences) as offences
    from stg_ho_csp_crime
    where area_code is not null
    group by all
),

csp_uncovered as (
    select csp.*
    from csp
    anti join record_level_quarters as q
        on q.area_code = csp.area_code and q.quarter_start = csp.unit_start
),

units as (
    select distinct area_code, unit_start, unit_end, months, 'record_level' as source
    from record_level_months
    union all
    select distinct area_code, unit_start, unit_end, months, 'ho_csp_table' as source
    from csp_uncovered
),

counts as (
    select area_code, unit_start, offence_code, offences from record_level
    union all
    select area_code, unit_start, offence_code, offences from csp_uncovered
)

select
    units.area_code,
    units.unit_start,
    units.unit_end,
    units.months,
    units.source,
    counts.offence_code,
    coalesce(counts.offences, 0) as offences
from units
left join counts
    on counts.area_code = units.area_code and counts.unit_start = units.unit_start
