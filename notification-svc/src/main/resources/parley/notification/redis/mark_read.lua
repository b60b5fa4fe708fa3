-- Marks notifications read in place. KEYS: 1 notifications:{email}
-- ARGV: 1 mode ('all' | 'ids' | 'sender'), 2 sender (mode sender), 3 up-to message id (mode sender),
--       4.. ids (mode ids)
local wanted = {}
for i = 4, #ARGV do wanted[ARGV[i]] = true end
local items = redis.call('LRANGE', KEYS[1], 0, -1)
local marked = 0
for i, raw in ipairs(items) do
  local n = cjson.decode(raw)
  local hit = false
  if ARGV[1] == 'all' then hit = true
  elseif ARGV[1] == 'ids' then hit = wanted[n.id] == true
  elseif ARGV[1] == 'sender' then hit = n.sender_email == ARGV[2] and tonumber(n.message_id) <= tonumber(ARGV[3]) end
  if hit and not n.read then
    n.read = true
    redis.call('LSET', KEYS[1], i - 1, cjson.encode(n))
    marked = marked + 1
  end
end
return marked
