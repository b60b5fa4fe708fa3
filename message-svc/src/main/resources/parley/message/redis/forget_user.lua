-- An account was deleted: its own indexes go, and the moment it left is kept, so a new account
-- under the same email never sees the old one's messages (the other party keeps its copy).
-- KEYS: 1 user:{email}:messages, 2 user:{email}:conversations, 3 user:{email}:left_at
-- ARGV: 1 when the account was deleted (epoch ms)
local before = tonumber(redis.call('GET', KEYS[3]) or '0')
if tonumber(ARGV[1]) > before then redis.call('SET', KEYS[3], ARGV[1]) end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
