/** An error as AWS KMS sends it: the exception name goes to `__type` and `x-amzn-ErrorType`. */
export class KmsError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

export const validation = (message: string) => new KmsError('ValidationException', message);
export const notFound = (message: string) => new KmsError('NotFoundException', message);
