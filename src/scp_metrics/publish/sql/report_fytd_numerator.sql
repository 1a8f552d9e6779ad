-- The count of an indicator's financial year to date ending on a date, for the partnership.
with indicator_values as (
    select * from mart_indicator_values
)

select numerator from indicator_values
where indicator_id = $indicator_id and area_code = $area_code
  and period_type = 'fytd' and period_end = $period_end
order by period_start
