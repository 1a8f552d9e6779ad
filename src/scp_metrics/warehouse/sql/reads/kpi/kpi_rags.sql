-- RAG per KPI (mart_kpi_status) and per tracked indicator (mart_target_tracking, home area):
-- red when any of its targets is red, else amber when any is amber, else green.
select kpi_id as id, rag from mart_kpi_status where rag is not null
union all
select indicator_id as id,
       case when bool_or(rag = 'red') then 'red' when bool_or(rag = 'amber') then 'amber'
            else 'green' end as rag
from mart_target_tracking
where rag is not null and indicator_id not in (select kpi_id from mart_kpi_status)
  and (area_code = (select area_code from ref_home_area) or area_code is null)
group by indicator_id
order by id
