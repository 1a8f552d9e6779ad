-- An indicator's latest SPC point on or before a month: its variation (common cause, special
-- cause improvement or concern) and the direction that counts as improvement.
with spc as (
    select * from mart_spc
)

select point_type, improvement, value, mean from spc
where indicator_id = $indicator_id and area_code = $area_code and period_start <= $month
order by period_start desc
limit 1
