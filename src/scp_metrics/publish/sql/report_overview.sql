-- Every indicator of the partnership against its own Most Similar Group (the report's
-- overview, a "tartan rug"): the 12 months to the report's month; where an indicator has no such
-- ranking (police.uk data are ranked by quarter), its latest quarter ending on or before the
-- month; a survey indicator's latest survey on or before it; its value and interval, the group's pooled rate, its position,
-- its significance against the group (over-dispersion adjusted where computed) and its change on
-- the same period a year earlier.
with rankings as (
    select * from mart_msg_rankings
),

indicator_values as (
    select * from mart_indicator_values
),

candidates as (
    select
        r.*,
        row_number() over (
            partition by r.indicator_id
            order by r.period_type = 'rolling_12m' desc, r.period_end desc, r.period_start desc
        ) as latest_first
    from rankings as r
    where r.area_code = $area_code and r.focus_area = $area_code and r.rank is not null
      and ((r.period_type = 'rolling_12m' and r.period_end = $period_end)
           or (r.period_type in ('quarter', 'survey') and r.period_end <= $period_end))
)

select
    c.indicator_id, c.group_id, c.period_type, c.period_start, c.period_end, c.unit, c.polarity,
    c.measure,
    c.value, c.ci95_lower, c.ci95_upper, c.group_pooled_rate, c.rank, c.n_areas,
    coalesce(c.funnel_significance_adjusted, c.funnel_significance) as significance,
    v.change_pct, v.change_verdict, v.value_same_period_last_year
from candidates as c
left join indicator_values as v
    on v.indicator_id = c.indicator_id and v.area_code = c.area_code
    and v.period_type = c.period_type and v.period_start = c.period_start
    and v.period_end = c.period_end
where c.latest_first = 1
order by c.indicator_id
