-- The consent float, driven by task updates shaped like the server's (a cloud model on another
-- host cannot be faked on loopback, where Burrow never asks): it names the host, the files and the
-- size, `a` allows through burrow.plan.approve, `x` refuses through burrow.plan.reject, and the
-- float closes once the gate is passed.
local h = require('harness')
local client = require('burrow.client')
local handlers = require('burrow.handlers')
local plan = require('burrow.plan')

local sent = {}
client.execute = function(command, argument, callback)
  table.insert(sent, { command = command, argument = argument })
  if callback then
    callback(nil, {})
  end
end

local function ask(id)
  handlers.task_update({
    taskId = id,
    state = 'planning',
    prompt = 'refactor the parser',
    awaiting = 'consent',
    consent = { provider = 'anthropic', host = 'api.anthropic.com', files = { 'src/parse.js', 'src/lex.js' }, bytes = 12800 },
  })
end

local out = {}
ask('t1')
out.float = plan.current and vim.api.nvim_buf_get_lines(plan.current.buf, 0, -1, false) or {}
out.statusline = require('burrow').statusline()
h.keys('a')
ask('t2')
h.keys('x')
-- Once the gate is passed the server sends the task without `awaiting`: the float must close.
ask('t3')
handlers.task_update({ taskId = 't3', state = 'planning', prompt = 'refactor the parser' })
out.closed_after_gate = plan.current == nil
out.sent = sent
return out
