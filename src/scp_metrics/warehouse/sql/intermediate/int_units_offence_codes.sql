-- Each offence-code indicator's count in every unit (zero where no offence in it counted).
with units as (
    select distinct area_code, unit_start, unit_end, months, source from int_crime_units
),

indicators as (
    select indicator_id from ref_indicators where family = 'offence_codes'
),

matched as (
    select
        map.indicator_id,
        counts.area_code,
        counts.unit_start,
        sum(counts.offences) as offences
    from int_crime_units as counts
    inner join ref_indicator_offence_codes as map
        on map.offence_code = counts.offence_code
    inner join indicators on indicators.indicator_id = map.indicator_id
        -- a code counts in a unit its validity overlaps (e.g. 92D from 29 January 2004)
        and counts.unit_end >= map.valid_from
        and counts.unit_start <= coalesce(map.valid_to, date '9999-12-31')
    group by all
)

select
    indicators.indicator_id,
    units.area_code,
    units.unit_start,
    units.unit_end,
    units.months,
    units.source,
    coalesce(matched.offences, 0) as numerator,
    null::bigint as denominator_count
from units
cross join indicators
left join matched
    on matched.indicator_id = indicators.indicator_id
    and matched.area_code = units.area_code
    and matched.unit_start = units.unit_start
