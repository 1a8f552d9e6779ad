-- Monthly counts and proportions for the indicators built from home-area event records:
-- deliberate fires (NI 33), ED assaults at night, MARAC repeats (NI 32) and the shares of
-- violence the plan quotes. Families and parameters come from config/indicators.toml.
with indicators as (
    -- survey indicators (Place Survey) are built in Python, src/scp_metrics/survey.py
    select * from ref_indicators where family not in ('offence_codes', 'survey')
),

covered as (
    select * from int_months_covered
),

ed_nights as (
    select
        area_code,
        -- the night's date: an assault before the window's end hour belongs to the evening before
        case when i.night_end_hour < i.night_start_hour and assault_hour < i.night_end_hour
             then (assault_datetime::date - 1) else assault_datetime::date end as night_date,
        i.indicator_id,
        (i.night_end_hour < i.night_start_hour
            and (assault_hour >= i.night_start_hour or assault_hour < i.night_end_hour))
        or (i.night_end_hour > i.night_start_hour
            and assault_hour >= i.night_start_hour and assault_hour < i.night_end_hour) as at_night
    from stg_istv
    cross join indicators as i
    where i.family = 'ed_night' and assault_datetime is not null
),

events as (
    select i.indicator_id, 'istv' as source_name, e.area_code,
           date_trunc('month', e.night_date)::date as unit_start, 1 as hit, 1 as base
    from ed_nights as e
    inner join indicators as i on i.indicator_id = e.indicator_id
    where e.at_night
    union all
    select i.indicator_id, 'fire', f.area_code, f.month_start, 1, 1
    from stg_fire as f
    cross join indicators as i
    where i.family = 'fire_deliberate' and f.motive = 'Deliberate'
        and f.incident_type in ('Primary Fire', 'Secondary Fire')
    union all
    select i.indicator_id, 'marac', m.area_code, m.month_start,
           case when m.repeat_flag then 1 else 0 end, 1
    from stg_marac as m
    cross join indicators as i
    where i.family = 'marac_repeat'
    union all
    select i.indicator_id, 'police_crime', c.area_code, c.month_start,
           case when (i.flag = 'domestic_abuse' and c.domestic_abuse)
                  or (i.flag = 'city_centre' and c.city_centre)
                  or (i.flag = 'night_time_economy' and c.night_time_economy) then 1 else 0 end,
           1
    from stg_police_crime as c
    inner join ref_indicator_offence_codes as map on map.offence_code = c.offence_code
    inner join indicators as i on i.indicator_id = map.indicator_id
    where i.family in ('crime_share', 'crime_flagged_count')
        and c.recorded_date >= map.valid_from
        and c.recorded_date <= coalesce(map.valid_to, date '9999-12-31')
),

counted as (
    select indicator_id, source_name, area_code, unit_start,
           sum(hit) as hits, sum(base) as base
    from events
    group by all
)

select
    i.indicator_id,
    covered.area_code,
    covered.unit_start,
    covered.unit_end,
    1 as months,
    'record_level' as source,
    coalesce(counted.hits, 0) as numerator,
    case when i.measure = 'percentage' then coalesce(counted.base, 0) end as denominator_count
from indicators as i
inner join covered on covered.source_name = i.source_table
left join counted
    on counted.indicator_id = i.indicator_id
    and counted.area_code = covered.area_code
    and counted.unit_start = covered.unit_start
