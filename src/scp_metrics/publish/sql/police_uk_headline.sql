-- The police.uk headline of one area (report section "Police.uk indicators"): every police.uk
-- indicator's latest quarter with a value (count, rate, 95% interval, change on the same
-- quarter last year) and latest month (count, rate, change on the same month last year), and
-- the area's position in its peer group for that quarter (mart_msg_rankings), its trend
-- (mart_trends) and its SPC chart's latest month (mart_spc: variation, rule, points in the
-- latest limits group). The funnel label is the one judged against limits widened for
-- over-dispersion where the group's areas differ more than chance allows (mart_msg_rankings
-- funnel_significance_adjusted; the plain label where the mart has none).
with indicators as (
    select indicator_id, title, polarity, unit from ref_indicators
    where family = 'police_uk'
),

area_values as (
    select * from mart_indicator_values
    where area_code = $area_code and indicator_id in (select indicator_id from indicators)
      and value is not null
),

latest_quarter as (
    select indicator_id, max(period_start) as period_start from area_values
    where period_type = 'quarter'
    group by indicator_id
),

latest_month as (
    select indicator_id, max(period_start) as period_start from area_values
    where period_type = 'month'
    group by indicator_id
),

quarter_values as (
    select v.* from area_values as v
    inner join latest_quarter as l
        on v.indicator_id = l.indicator_id and v.period_start = l.period_start
    where v.period_type = 'quarter'
),

month_values as (
    select v.* from area_values as v
    inner join latest_month as l
        on v.indicator_id = l.indicator_id and v.period_start = l.period_start
    where v.period_type = 'month'
),

trends as (
    select indicator_id, verdict as trend_verdict, method as trend_method,
        annual_change_pct as trend_annual_change_pct, n_months as trend_months
    from mart_trends
    where area_code = $area_code
),

spc_points as (
    select * from mart_spc
    where area_code = $area_code and value is not null
),

spc_latest as (
    select indicator_id, max(period_start) as period_start from spc_points
    group by indicator_id
),

spc as (
    select
        s.indicator_id,
        s.period_start as spc_month,
        s.point_type as spc_point_type,
        s.rule as spc_rule,
        s.upl is not null as spc_has_limits,
        (select count(*) from spc_points as g
            where g.indicator_id = s.indicator_id and g.rebase_group = s.rebase_group)
            as spc_group_points
    from spc_points as s
    inner join spc_latest as l
        on s.indicator_id = l.indicator_id and s.period_start = l.period_start
),

ranks as (
    select indicator_id, period_start, rank, n_areas,
        coalesce(funnel_significance_adjusted, funnel_significance) as funnel_significance,
        coalesce(funnel_method, 'plain') <> 'plain' as funnel_widened
    from mart_msg_rankings
    where area_code = $area_code and focus_area = $area_code and period_type = 'quarter'
)

select
    i.indicator_id,
    i.title,
    i.polarity,
    i.unit,
    q.period_start as quarter_start,
    q.period_end as quarter_end,
    q.numerator as quarter_count,
    q.value as quarter_rate,
    q.ci95_lower as quarter_lower,
    q.ci95_upper as quarter_upper,
    q.population_year,
    q.value_same_period_last_year as quarter_rate_last_year,
    q.change_pct as quarter_change_pct,
    q.change_verdict as quarter_change_verdict,
    m.period_start as month_start,
    m.numerator as month_count,
    m.value as month_rate,
    m.value_same_period_last_year as month_rate_last_year,
    m.change_pct as month_change_pct,
    m.change_verdict as month_change_verdict,
    r.rank,
    r.n_areas,
    r.funnel_significance,
    r.funnel_widened,
    t.trend_verdict,
    t.trend_method,
    t.trend_annual_change_pct,
    t.trend_months,
    s.spc_month,
    s.spc_point_type,
    s.spc_rule,
    s.spc_has_limits,
    s.spc_group_points
from indicators as i
left join quarter_values as q on i.indicator_id = q.indicator_id
left join month_values as m on i.indicator_id = m.indicator_id
left join ranks as r on i.indicator_id = r.indicator_id and q.period_start = r.period_start
left join trends as t on i.indicator_id = t.indicator_id
left join spc as s on i.indicator_id = s.indicator_id
where q.indicator_id is not null or m.indicator_id is not null
order by case when i.indicator_id = 'police_uk:all-crime' then 0 else 1 end, i.title
