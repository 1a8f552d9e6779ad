-- A plan skeleton's baselines (scp-metrics plan init): every indicator with values for the
-- area, its outturn in the baseline financial year (when the year is complete in the data) and
-- the latest period it has, so the skeleton can say what it was computed from.
with indicators as (
    select indicator_id, title, polarity, unit, measure from ref_indicators
),

area_values as (
    select * from mart_indicator_values
    where area_code = $area_code and value is not null
),

baseline as (
    select indicator_id, value as baseline_value, numerator as baseline_numerator
    from area_values
    where period_type = 'financial_year' and period_start = $baseline_start
),

latest as (
    select indicator_id, max(period_end) as latest_end from area_values
    where period_type in ('month', 'quarter', 'financial_year', 'survey')
    group by indicator_id
)

select
    i.indicator_id, i.title, i.polarity, i.unit, i.measure,
    b.baseline_value, b.baseline_numerator, l.latest_end
from indicators as i
inner join latest as l on i.indicator_id = l.indicator_id
left join baseline as b on i.indicator_id = b.indicator_id
order by i.indicator_id
