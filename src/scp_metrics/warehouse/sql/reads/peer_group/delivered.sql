-- The delivered Most Similar Group of one area (group_id = its code), members by name.
select group_id, area_code, area_name
from stg_msg_membership
where upper(trim(group_id)) = $home
order by area_name, area_code
