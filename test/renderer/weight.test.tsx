// @vitest-environment jsdom
/**
 * An invalid weight typed into the backends table (issue 16 #7): on Enter or
 * leaving the field the page says plainly what a weight may be (the
 * schema's bounds, core/model/spec.ts), puts the backend's weight back in
 * the field, and sends nothing; a valid edit afterwards clears the message.
 */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { backendView, FakeBridge, serviceView } from './fake-bridge';
import { renderApp } from './setup';

afterEach(cleanup);

const RULE = 'Weight must be a whole number from 1 to 1000';

async function renderWeb() {
  const bridge = new FakeBridge([serviceView('web', [backendView('http://127.0.0.1:3001', { name: 'a', weight: 3 })])]);
  renderApp(bridge);
  await screen.findByTestId('backend-row-a');
  return bridge;
}

describe('an invalid weight in the backends table', () => {
  for (const [typed, how] of [
    ['0', 'Enter'],
    ['5000', 'Enter'],
    ['2.5', 'blur'],
    ['', 'blur'],
  ] as const) {
    it(`"${typed}" then ${how}: a plain message, the weight put back, nothing sent`, async () => {
      const bridge = await renderWeb();
      const weight = screen.getByLabelText('Weight of a') as HTMLInputElement;
      fireEvent.change(weight, { target: { value: typed } });
      if (how === 'Enter') fireEvent.keyDown(weight, { key: 'Enter' });
      else fireEvent.blur(weight);

      const message = await screen.findByTestId('weight-error');
      expect(message.textContent).toContain(RULE);
      expect(message.textContent).toContain('a keeps weight 3');
      expect(message.textContent).not.toMatch(/Too (small|big)|expected|number to be/i); // not zod's wording
      expect(weight.value).toBe('3');
      expect(weight.getAttribute('aria-invalid')).toBeNull();
      expect(bridge.callsOf('backends:update')).toHaveLength(0);

      // A valid weight goes through and the message goes away.
      fireEvent.change(weight, { target: { value: '7' } });
      fireEvent.keyDown(weight, { key: 'Enter' });
      await waitFor(() => expect(bridge.callsOf('backends:update')).toHaveLength(1));
      expect(bridge.callsOf('backends:update')[0]!.patch).toEqual({ weight: 7 });
      await waitFor(() => expect(screen.queryByTestId('weight-error')).toBeNull());
    });
  }

  it('says the rule while typing, in plain words', async () => {
    await renderWeb();
    const weight = screen.getByLabelText('Weight of a') as HTMLInputElement;
    fireEvent.change(weight, { target: { value: '5000' } });
    expect(weight.getAttribute('aria-invalid')).toBe('true');
    expect(weight.title).toBe(RULE);
  });
});
