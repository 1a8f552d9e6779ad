-- How many rows are recomputed (writes/indicator_values/todo: one per key).
select count(*) from _iv_todo
