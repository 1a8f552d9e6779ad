-- Each indicator's own as-of month in each area: the end of its latest month (or quarter, or
-- survey) with a value. A period is only reported when every month in it is covered for every
-- input (int_indicator_periods), so this is the latest month all its inputs are complete for;
-- sources delivered out of step give indicators different months. data_source: where that
-- latest value was counted from (the indicator's source table, or the Home Office CSP table,
-- or the published survey headline).
with indicator_values as (
    select indicator_id, area_code, period_end, source from mart_indicator_values
    where period_type in ('month', 'quarter', 'survey')
),

latest as (
    select indicator_id, area_code, max(period_end) as as_of
    from indicator_values
    group by indicator_id, area_code
),

counted_from as (
    select v.indicator_id, v.area_code, min(v.source) as source
    from indicator_values as v
    inner join latest as l
        on l.indicator_id = v.indicator_id and l.area_code = v.area_code
        and l.as_of = v.period_end
    group by v.indicator_id, v.area_code
),

indicators as (
    select indicator_id, source_table from ref_indicators
)

select
    latest.indicator_id,
    latest.area_code,
    latest.as_of,
    case counted_from.source
        when 'ho_csp_table' then 'ho_csp_crime'
        when 'published headline' then 'place_survey_headline'
        else indicators.source_table
    end as data_source
from latest
inner join counted_from
    on counted_from.indicator_id = latest.indicator_id
    and counted_from.area_code = latest.area_code
left join indicators on indicators.indicator_id = latest.indicator_id
order by latest.indicator_id, latest.area_code
