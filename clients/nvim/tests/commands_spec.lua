-- The rest of the plugin's surface against the real server: deciding with commands instead of keys
-- (approve, apply, status, undo), revising a plan from the float, the chat buffer, a selection as
-- the task's range, edits left unsaved, Neovim started without a file, and a failing task.
local h = require('helpers')

local lines = h.numbered('let v%d = %d;', 12)
local original = h.text(lines)
local function with(changes)
  return h.text(lines, changes)
end
local proposed = with({ [1] = "let v1 = 'one';", [12] = "let v12 = 'twelve';" })
local function edits(text)
  return { text = h.model.whole_files({ { 'values.js', text or proposed } }) }
end
local function plan(summary)
  return { json = h.model.plan(summary, { 'values.js' }, { { description = 'Spell out v1 and v12.' } }) }
end

describe('commands', function()
  local ws, buf
  before_each(function()
    ws = h.workspace({ ['values.js'] = original })
    h.setup()
    buf = h.edit(ws.path('values.js'))
  end)
  after_each(h.reset)

  it(':Burrow approve and :Burrow apply, :Burrow status lists the task, :Burrow undo restores the file', function()
    h.model.answer(plan('Spell out v1 and v12.'), edits())
    local progress = require('burrow.progress')
    local statuslines = {}
    local on_progress = progress.on_progress
    progress.on_progress = function(params)
      on_progress(params)
      table.insert(statuslines, require('burrow').statusline())
    end
    local id = h.start_task('spell out v1 and v12')
    vim.cmd('Burrow approve')
    h.wait_for_state(id, 'awaitingChangesApproval')
    assert.is_not_nil(require('burrow.review').current)
    vim.cmd('Burrow apply')
    h.wait_for_state(id, 'applied')
    h.wait_for_written()
    progress.on_progress = on_progress
    assert.are.equal(proposed, ws.read('values.js'))
    assert.is_nil(require('burrow.review').current)
    local described = false
    for _, s in ipairs(statuslines) do
      described = described or s:match('^Burrow: planning · %S') ~= nil or s:match('^Burrow: writing the edits · %S') ~= nil
    end
    assert.is_true(described, vim.inspect(statuslines))

    vim.cmd('Burrow status')
    h.wait_for('the status float', function()
      return vim.api.nvim_win_get_config(0).relative ~= ''
    end)
    local status = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
    assert.truthy(status:match('applied%s+Spell out v1 and v12%.'), status)
    h.keys('q')
    assert.are.equal('', vim.api.nvim_win_get_config(0).relative)

    vim.cmd('Burrow undo')
    h.wait_for('the undo to reach the disk', function()
      return ws.read('values.js') == original and not vim.bo[buf].modified
    end)
    assert.are.equal(original, h.buffer_text(buf))
  end)

  it('revises the plan with feedback from the float, then approves the new plan and applies every hunk', function()
    h.model.answer(plan('First plan.'), plan('Second plan, with the feedback.'), edits())
    local prompts = h.answer_prompts('use words, not digits')
    local planf, review, tasks = require('burrow.plan'), require('burrow.review'), require('burrow.tasks')
    vim.cmd('Burrow task spell out v1 and v12')
    h.wait_for('the first plan', function()
      return planf.current ~= nil
    end)
    local id = planf.current.taskId
    assert.truthy(table.concat(vim.api.nvim_buf_get_lines(planf.current.buf, 0, -1, false), '\n'):find('First plan.', 1, true))
    h.keys('r')
    assert.is_nil(planf.current)
    h.wait_for('the second plan', function()
      local task = tasks.get(id)
      return planf.current ~= nil and task.plan and task.plan.summary == 'Second plan, with the feedback.'
    end)
    h.keys('a')
    h.wait_for('the diff tab', function()
      return review.current ~= nil
    end)
    h.keys('gA')
    assert.are.equal(2, #review.accepted_ids())
    h.keys('<CR>')
    h.wait_for_state(id, 'applied')
    h.wait_for_written()
    assert.are.equal(1, #prompts)
    assert.are.equal(proposed, ws.read('values.js'))
    local requests = h.model.requests()
    assert.are.equal(3, #requests)
    assert.truthy(vim.json.encode(requests[2]):find('use words, not digits', 1, true))
  end)

  it('streams chat answers into the chat buffer and keeps the session for a follow-up', function()
    h.model.answer({ chunks = { 'It holds ', 'twelve ', 'numbered values.' } }, { chunks = { 'Yes, ', 'v12 is the last.' } })
    local chat = require('burrow.chat')
    vim.cmd('Burrow chat')
    local cbuf = chat.state.buf
    assert.are.equal('markdown', vim.bo[cbuf].filetype)
    local function shows(answer)
      return not chat.state.streaming and table.concat(vim.api.nvim_buf_get_lines(cbuf, 0, -1, false), '\n'):find(answer, 1, true) ~= nil
    end
    h.keys('oWhat is in this file?<Esc>')
    h.keys('<CR>')
    h.wait_for('the first answer', function()
      return shows('It holds twelve numbered values.')
    end)
    local session = chat.state.session_id
    assert.is_true(chat.state.streamed)
    assert.are.equal('string', type(session))
    vim.cmd('Burrow chat Is v12 the last one?')
    h.wait_for('the second answer', function()
      return shows('Yes, v12 is the last.')
    end)
    assert.are.equal(session, chat.state.session_id)
    local text = table.concat(vim.api.nvim_buf_get_lines(cbuf, 0, -1, false), '\n')
    assert.is_true(text:find('What is in this file?', 1, true) < text:find('It holds twelve numbered values.', 1, true))
    assert.is_true(text:find('It holds twelve numbered values.', 1, true) < text:find('Is v12 the last one?', 1, true))
    assert.truthy(vim.trim(text):match('## You$'))
    local second = vim.json.encode(h.model.requests()[2])
    assert.truthy(second:find('What is in this file?', 1, true))
    assert.truthy(second:find('It holds twelve numbered values.', 1, true))
  end)

  it('sends a visual selection as the task range, linewise and characterwise', function()
    h.model.answer(plan('About lines 2 and 3.'), plan('About a part of lines 4 and 5.'))
    local client, tasks = require('burrow.client'), require('burrow.tasks')
    local sent = {}
    local execute = client.execute
    client.execute = function(command, argument, callback)
      if command == 'burrow.task' then
        table.insert(sent, vim.deepcopy(argument))
      end
      return execute(command, argument, callback)
    end
    local uri = vim.uri_from_bufnr(0)
    vim.cmd('normal! 2GVj\27')
    vim.cmd("'<,'>Burrow task explain these lines")
    vim.cmd('normal! 4G5|v5G7|\27')
    vim.cmd("'<,'>Burrow task explain this part")
    h.wait_for('both tasks at the plan gate', function()
      local waiting = 0
      for _, id in ipairs(tasks.order) do
        if tasks.gate(tasks.get(id)) == 'plan' then
          waiting = waiting + 1
        end
      end
      return waiting == 2
    end)
    client.execute = execute
    assert.are.same({
      { prompt = 'explain these lines', uri = uri, range = { start = { line = 1, character = 0 }, ['end'] = { line = 2, character = #lines[3] } } },
      { prompt = 'explain this part', uri = uri, range = { start = { line = 3, character = 4 }, ['end'] = { line = 4, character = 7 } } },
    }, sent)
    assert.truthy(vim.json.encode(h.model.requests()):find('let v2 = 2;', 1, true))
  end)

  for _, mode in ipairs({ 'user-edits', 'no-write' }) do
    it('leaves the edit unsaved in the buffer and the disk untouched (' .. mode .. ')', function()
      local user_line = "let v6 = 'six, typed by the user';"
      local base = vim.deepcopy(lines)
      if mode == 'user-edits' then
        base[6] = user_line
        vim.api.nvim_buf_set_lines(buf, 5, 6, false, { user_line })
      else
        h.setup({ write_after_apply = false })
      end
      base[1], base[12] = "let v1 = 'one';", "let v12 = 'twelve';"
      local expected = table.concat(base, '\n') .. '\n'
      h.model.answer(plan('Spell out v1 and v12.'), edits(expected))
      local notes = h.record_notes()
      local id = h.start_task('spell out v1 and v12')
      vim.cmd('Burrow approve')
      h.wait_for_state(id, 'awaitingChangesApproval')
      vim.cmd('Burrow apply')
      h.wait_for_state(id, 'applied')
      assert.is_true(vim.bo[buf].modified)
      assert.are.equal(expected, h.buffer_text(buf))
      assert.are.equal(original, ws.read('values.js'))
      local warned = false
      for _, w in ipairs(h.messages_at(notes, vim.log.levels.WARN)) do
        warned = warned or w:find('had unsaved changes of yours', 1, true) ~= nil
      end
      assert.are.equal(mode == 'user-edits', warned)
    end)
  end

  it('reports a failed task with the server message, and answers a prompt with null at once', function()
    h.model.answer({ error = 'the model crashed while loading', status = 500 })
    local tasks = require('burrow.tasks')
    local notes = h.record_notes(true)
    vim.cmd('Burrow task spell out v1 and v12')
    local failed
    h.wait_for('the task to fail', function()
      failed = tasks.latest(function()
        return true
      end)
      return failed and failed.state == 'failed'
    end)
    local message = failed.error and failed.error.message
    assert.are.equal('string', type(message))
    local shown = vim.list_extend(h.messages_at(notes, vim.log.levels.ERROR), h.messages_at(notes, vim.log.levels.WARN))
    assert.truthy(vim.tbl_contains(shown, 'Burrow: ' .. message) or vim.tbl_contains(vim.tbl_map(function(m)
      return m:sub(1, #('Burrow: ' .. message))
    end, shown), 'Burrow: ' .. message), vim.inspect(shown))
    local handler = require('burrow.handlers').table()['window/showMessageRequest']
    local answer = handler(nil, { type = 3, message = 'Approve?', actions = { { title = 'Approve' } } }, { client_id = 1, method = 'window/showMessageRequest' })
    assert.are.equal(vim.NIL, answer)
    assert.are.equal('', require('burrow').statusline())
    assert.are.equal(original, ws.read('values.js'))
  end)
end)

describe('Neovim started without a file', function()
  after_each(h.reset)

  it('starts the client for the current directory, with the model from setup()', function()
    local ws = h.workspace({ ['values.js'] = original })
    h.model.install('qwen2.5-coder:3b')
    h.setup({ settings = { models = { coder = 'qwen2.5-coder:3b' } } })
    h.model.answer(plan('Spell out v1 and v12.'))
    local planf = require('burrow.plan')
    assert.are.equal('', vim.api.nvim_buf_get_name(0))
    vim.cmd('Burrow task spell out v1 and v12')
    h.wait_for('the plan float', function()
      return planf.current ~= nil
    end)
    assert.are.equal(ws.root, require('burrow.client').running().config.root_dir)
    assert.truthy(table.concat(vim.api.nvim_buf_get_lines(planf.current.buf, 0, -1, false), '\n'):find('Spell out v1 and v12.', 1, true))
    assert.are.equal('qwen2.5-coder:3b', h.model.requests()[1].model)
  end)
end)
