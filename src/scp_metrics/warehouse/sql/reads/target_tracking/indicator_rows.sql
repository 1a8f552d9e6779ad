-- The monthly, financial-year and survey values of one indicator in one area.
select
    period_type, period_start, period_end, numerator, denominator, value, ci95_lower,
    ci95_upper, population_year
from mart_indicator_values
where indicator_id = $indicator_id
    and area_code = $area_code
    and period_type in ('month', 'financial_year', 'survey')
order by all
