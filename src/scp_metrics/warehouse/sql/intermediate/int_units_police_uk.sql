-- police.uk indicators per area and month (the same columns as int_units_offence_codes):
-- police_uk:all-crime (every category counted in all crime, i.e. not anti-social behaviour)
-- and police_uk:<slug> per category (config/police_uk_crime_types.csv), zero where a covered
-- month has none. A category's units exist only inside its valid_from / valid_to.
with covered as (
    select * from int_police_uk_coverage
),

categories as (
    select 'police_uk:' || slug as indicator_id, crime_type, valid_from, valid_to
    from ref_police_uk_crime_types
),

members as (
    select indicator_id, crime_type from categories
    union all
    select 'police_uk:all-crime', crime_type from ref_police_uk_crime_types where in_all_crime
),

indicators as (
    select r.indicator_id, c.valid_from, c.valid_to
    from ref_indicators as r
    left join categories as c on c.indicator_id = r.indicator_id
    where r.family = 'police_uk'
),

counts as (
    select area_code, month_start, crime_type, count(*) as rows
    from stg_police_uk
    where area_code is not null
    group by all
),

matched as (
    select members.indicator_id, counts.area_code, counts.month_start, sum(counts.rows) as rows
    from counts
    inner join members on members.crime_type = counts.crime_type
    group by all
)

select
    indicators.indicator_id,
    covered.area_code,
    covered.month_start as unit_start,
    last_day(covered.month_start) as unit_end,
    1 as months,
    'police_uk' as source,
    coalesce(matched.rows, 0) as numerator,
    null::bigint as denominator_count
from covered
cross join indicators
left join matched
    on matched.indicator_id = indicators.indicator_id
    and matched.area_code = covered.area_code
    and matched.month_start = covered.month_start
where covered.month_start >= coalesce(indicators.valid_from, date '1900-01-01')
    and covered.month_start <= coalesce(indicators.valid_to, date '9999-12-31')
