-- The monthly and financial-year-to-date values a target's trajectory chart draws.
with indicator_values as (
    select * from mart_indicator_values
)

select period_type, period_start, period_end, numerator, value from indicator_values
where indicator_id = $indicator_id and area_code = $area_code
  and period_type in ('month', 'fytd')
order by period_start, period_end
