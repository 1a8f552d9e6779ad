-- Report section and workbook sheet "Action_plan": every action with its latest status, by
-- priority in the plan's order, overdue first within a priority, then the register's order.
select * exclude (register_order) from mart_action_status
order by case priority when '1' then 1 when '2a' then 2 when '2b' then 3 else 4 end,
         overdue desc, register_order
