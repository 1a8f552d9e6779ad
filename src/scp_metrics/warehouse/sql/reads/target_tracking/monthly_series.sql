-- The monthly numerators of every count or rate indicator in one area (every area when
-- $area_code is null), with the indicator's family: the series the projection backtest pools.
with monthly as (
    select indicator_id, area_code, period_start, numerator
    from mart_indicator_values
    where period_type = 'month'
        and ($area_code is null or area_code = $area_code)
),

indicators as (
    select indicator_id, family
    from ref_indicators
    where measure in ('rate', 'count')
),

joined as (
    select monthly.indicator_id, monthly.area_code, indicators.family, monthly.period_start,
        monthly.numerator
    from monthly
    inner join indicators on monthly.indicator_id = indicators.indicator_id
)

select * from joined
order by indicator_id, area_code, period_start
