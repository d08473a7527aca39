-- The cloud consent question in the plan float, driven by task updates shaped like the server's (a
-- cloud model on another host cannot be faked on loopback, where Burrow never asks): it names the
-- host, the files and the size, `a` allows, `x` refuses, and it closes once the gate is passed.
local h = require('helpers')

describe('the consent float', function()
  after_each(h.reset)

  it('names host, files and size; a allows, x refuses; closes once the gate is passed', function()
    h.setup({ autostart = false })
    local client, handlers, plan = require('burrow.client'), require('burrow.handlers'), require('burrow.plan')
    local sent = {}
    local execute = client.execute
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
    ask('t1')
    local float = table.concat(vim.api.nvim_buf_get_lines(plan.current.buf, 0, -1, false), '\n')
    assert.truthy(float:find('Send 2 files (12.5 KB) to api.anthropic.com (anthropic)?', 1, true))
    assert.truthy(float:find('src/parse.js', 1, true))
    assert.truthy(float:find('a allow   x do not send   q close', 1, true))
    assert.are.equal('Burrow: waiting for consent', require('burrow').statusline())
    h.keys('a')
    ask('t2')
    h.keys('x')
    ask('t3')
    handlers.task_update({ taskId = 't3', state = 'planning', prompt = 'refactor the parser' })
    client.execute = execute
    assert.is_nil(plan.current)
    assert.are.same({
      { command = 'burrow.plan.approve', argument = { taskId = 't1' } },
      { command = 'burrow.plan.reject', argument = { taskId = 't2' } },
    }, sent)
  end)
end)
