-- The series breaks that apply to one indicator in one area (area_code null: every area).
with breaks as (
    select * from ref_series_breaks
)

select * from breaks
where indicator_id = $indicator_id and (area_code is null or area_code = $area_code)
order by break_date
