-- Every indicator's numerator for every period type, from the units. A period is reported
-- only when its units cover every month in it (no silent partial periods).
with units as (
    select
        *,
        fy_start_date(unit_start) as fy_start
    from int_indicator_units
),

months as (
    select indicator_id, area_code, 'month' as period_type, unit_start as period_start,
           unit_end as period_end, numerator, denominator_count, source
    from units
    where months = 1
),

quarters as (
    select indicator_id, area_code, 'quarter' as period_type,
           fq_start_date(unit_start) as period_start,
           max(unit_end) as period_end,
           sum(numerator) as numerator, sum(denominator_count) as denominator_count,
           min(source) as source
    from units
    group by indicator_id, area_code, fq_start_date(unit_start)
    having sum(months) = 3
),

financial_years as (
    select indicator_id, area_code, 'financial_year' as period_type, fy_start as period_start,
           max(unit_end) as period_end, sum(numerator) as numerator,
           sum(denominator_count) as denominator_count,
           case when count(distinct source) = 1 then min(source) else 'mixed' end as source
    from units
    group by indicator_id, area_code, fy_start
    having sum(months) = 12
),

fytd as (
    select e.indicator_id, e.area_code, 'fytd' as period_type, e.fy_start as period_start,
           e.unit_end as period_end, sum(u.numerator) as numerator,
           sum(u.denominator_count) as denominator_count,
           case when count(distinct u.source) = 1 then min(u.source) else 'mixed' end as source
    from units as e
    inner join units as u
        on u.indicator_id = e.indicator_id and u.area_code = e.area_code
        and u.fy_start = e.fy_start and u.unit_start <= e.unit_start
    group by e.indicator_id, e.area_code, e.fy_start, e.unit_end
    having sum(u.months) = date_diff('month', e.fy_start, e.unit_end) + 1
),

rolling as (
    select e.indicator_id, e.area_code, 'rolling_12m' as period_type,
           (e.unit_end - interval 12 month + interval 1 day)::date as period_start,
           e.unit_end as period_end, sum(u.numerator) as numerator,
           sum(u.denominator_count) as denominator_count,
           case when count(distinct u.source) = 1 then min(u.source) else 'mixed' end as source
    from units as e
    inner join units as u
        on u.indicator_id = e.indicator_id and u.area_code = e.area_code
        and u.unit_end <= e.unit_end
        and u.unit_start > e.unit_end - interval 12 month
    group by e.indicator_id, e.area_code, e.unit_end
    having sum(u.months) = 12
)

select * from months
union all select * from quarters
union all select * from financial_years
union all select * from fytd
union all select * from rolling
