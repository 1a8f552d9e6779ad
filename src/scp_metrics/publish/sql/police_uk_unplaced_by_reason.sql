-- police.uk rows counted in no area, by force and reason (mart_unplaced_rows), biggest first.
select police_force, reason, sum(rows) as rows, count(distinct month) as months,
       min(message) as example
from mart_unplaced_rows
group by police_force, reason
order by rows desc, police_force, reason
