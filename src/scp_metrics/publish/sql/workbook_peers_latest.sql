-- Workbook sheet "indicators_all_areas" without a Most Similar Group in the warehouse: every
-- area's latest financial year, rolling 12 months and survey.
with indicator_values as (
    select * from mart_indicator_values
),

peer_periods as (
    select * from indicator_values
    where period_type in ('financial_year', 'rolling_12m', 'survey')
),

latest as (
    select * from peer_periods
    qualify period_start = max(period_start) over (partition by indicator_id, period_type)
)

select * from latest
order by all
