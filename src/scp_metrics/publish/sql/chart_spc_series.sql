-- One Making Data Count series (mart_spc) up to the end of a month.
with spc as (
    select * from mart_spc
)

select * from spc
where indicator_id = $indicator_id and area_code = $area_code and period_start <= $period_end
order by period_start
