-- Report section and workbook sheet "KPIs": every KPI of the register with owner, latest figure,
-- target and RAG, in register order.
select * exclude (register_order) from mart_kpi_status
order by register_order
