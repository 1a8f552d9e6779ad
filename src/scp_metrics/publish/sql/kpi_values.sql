-- Workbook sheet "KPI_returns": every partner return figure, by KPI, quarter and agency.
select * from mart_kpi_values
order by kpi_id, period_start, agency
