-- Period helpers used by the models (run before them).
create or replace macro fy_start_year(d) as
    case when month(d) >= 4 then year(d) else year(d) - 1 end;
create or replace macro fy_start_date(d) as make_date(fy_start_year(d), 4, 1);
create or replace macro fq_start_date(d) as
    make_date(year(d), month(d) - ((month(d) + 8) % 3), 1);
