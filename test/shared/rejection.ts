/** The one helper every suite that expects a failure uses: the rejection reason of a promise. */

/** The rejection reason of `p`; fails the test if `p` resolves. */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection, got a value');
}
