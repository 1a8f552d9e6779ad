-- The partner returns' figures (mart_kpi_values, built just before mart_kpi_status).
select * from mart_kpi_values order by kpi_id, period_start, agency
