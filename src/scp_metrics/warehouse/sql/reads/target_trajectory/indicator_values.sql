-- An indicator's monthly and financial-year-to-date rows in one area.
select period_type, period_start, period_end, numerator, value
from mart_indicator_values
where indicator_id = $indicator_id and area_code = $area_code
    and period_type in ('month', 'fytd')
order by period_start, period_end
