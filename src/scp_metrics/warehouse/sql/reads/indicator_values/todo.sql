-- The keys to compute (writes/indicator_values/todo).
select * from _iv_todo order by all
