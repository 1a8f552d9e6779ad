-- How the area's peer group is named: 'Most Similar Group (delivered)' or 'proxy group (open
-- data)' (mart_peer_group); no row without a group.
select
    case when max(group_label) like 'Most Similar Group%' then 'Most Similar Group'
         else max(group_label) end as group_label
from mart_peer_group
where upper(trim(group_id)) = upper(trim($area_code))
having count(*) > 0
