-- Home area: each offence-code indicator's count per quarter and offence code, from the
-- record-level extract (a code counts when valid on the crime's recorded date) and from the
-- Home Office CSP table (valid on any day of the quarter). Ordered, so that the largest code
-- difference is the same code whatever the scan order (ties go to the first offence code).
with home as (
    select area_code from ref_home_area
),

record_level as (
    select fq_start_date(recorded_date) as quarter_start, offence_code, recorded_date
    from stg_police_crime
    where area_code in (select area_code from home)
),

csp as (
    select quarter_start, offence_code, sum(number_of_offences) as offences
    from stg_ho_csp_crime
    where area_code in (select area_code from home)
    group by all
),

indicators as (
    select indicator_id from ref_indicators where family = 'offence_codes'
),

record_counts as (
    select map.indicator_id, r.quarter_start, r.offence_code, count(*) as offences
    from record_level as r
    inner join ref_indicator_offence_codes as map on map.offence_code = r.offence_code
    inner join indicators on indicators.indicator_id = map.indicator_id
    where r.recorded_date >= map.valid_from
        and r.recorded_date <= coalesce(map.valid_to, date '9999-12-31')
    group by all
),

csp_counts as (
    select map.indicator_id, c.quarter_start, c.offence_code, sum(c.offences) as offences
    from csp as c
    inner join ref_indicator_offence_codes as map on map.offence_code = c.offence_code
    inner join indicators on indicators.indicator_id = map.indicator_id
    where map.valid_from <= last_day(c.quarter_start + interval 2 month)
        and coalesce(map.valid_to, date '9999-12-31') >= c.quarter_start
    group by all
),

compared as (
    select
        coalesce(r.indicator_id, c.indicator_id) as indicator_id,
        coalesce(r.quarter_start, c.quarter_start) as quarter_start,
        coalesce(r.offence_code, c.offence_code) as offence_code,
        coalesce(r.offences, 0) as record_level,
        coalesce(c.offences, 0) as published
    from record_counts as r
    full outer join csp_counts as c
        on c.indicator_id = r.indicator_id and c.quarter_start = r.quarter_start
        and c.offence_code = r.offence_code
)

select * from compared order by all
